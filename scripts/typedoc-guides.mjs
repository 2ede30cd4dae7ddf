// TypeDoc plugin (typedoc.json "plugin") for the guides in projectDocuments, so that the site reads like the
// repository on GitHub without front matter (which GitHub shows as a table at the top of the file):
// - a guide's page is titled by its first `# heading` ("Running a cluster", not "cluster"; "Examples", not "README");
// - a guide's folder of the same name holds its sub-pages (docs/syscalls/*.md under docs/syscalls.md), which the
//   navigation would otherwise list flat (it shows no folders, so that modules are listed by import path);
// - a link from a guide to a source file, written as on GitHub ([`SystemCalls`](../packages/.../system-calls.ts)),
//   goes to the API page of the symbol it names instead of a copy of the file.
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  /** Each guide by its path without `.md`, the name TypeDoc gives it. */
  const byPath = new Map();
  app.converter.on(Converter.EVENT_CREATE_DOCUMENT, (_context, document) => {
    byPath.set(document.name, document);
    if (typeof document.frontmatter.title === 'string') return;
    const text = document.content.find((part) => part.kind === 'text')?.text ?? '';
    const heading = /^#\s+(.+?)\s*$/m.exec(text);
    if (heading) document.name = heading[1].replace(/`/g, '');
  });
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const [path, document] of byPath) {
      const parent = byPath.get(path.slice(0, path.lastIndexOf('/')));
      if (!parent || document.parent !== context.project) continue;
      context.project.removeChild(document);
      document.parent = parent;
      parent.addChild(document);
    }
    byPath.clear();
  });
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const { project } = context;
    const symbols = project.getReflectionsByKind(ReflectionKind.SomeExport & ~ReflectionKind.Reference);
    for (const document of project.getReflectionsByKind(ReflectionKind.Document)) {
      document.content.forEach((part, i) => {
        const path =
          part.kind === 'relative-link' && part.target !== undefined && project.files.resolvePath(part.target);
        if (!path || !/\/src\/.*\.ts$/.test(path)) return;
        // The link's text is the symbol's name in backticks: `[`Name`](path)`.
        const name = /^`(\w+)`$/.exec(document.content[i - 2]?.text ?? '')?.[1];
        const symbol = name && symbols.find((s) => s.name === name);
        if (symbol) project.files.registerReflectionPath(path, symbol);
      });
    }
  });
}
