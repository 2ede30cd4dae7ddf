// TypeDoc plugin (typedoc.json "plugin") for the guides in projectDocuments, so that the site reads like the
// repository on GitHub without front matter (which GitHub shows as a table at the top of the file):
// - a guide's page is titled by its first `# heading` ("Running a cluster", not "cluster"; "Examples", not "README");
// - a guide's folder of the same name holds its sub-pages (docs/syscalls/*.md under docs/syscalls.md), which the
//   navigation would otherwise list flat (it shows no folders, so that modules are listed by import path).
import { Converter } from 'typedoc';

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
}
