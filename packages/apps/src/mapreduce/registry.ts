/**
 * The applications map and reduce tasks can run, by id. A task is told
 * only the id (in its argv), so it finds its code here, in its own module
 * graph, whichever thread runs it.
 * @module
 */
import { errors } from '@dios/kernel';
import { wordCountApp } from '../wordcount/app/app.js';
import type { MapReduceApp } from './app-api/app.js';

const APPS: ReadonlyMap<string, MapReduceApp> = new Map([['wordcount', wordCountApp]]);

/** The app registered as `id`; EINVAL (`argument`) for an unknown one. */
export function appById(id: string, call: string, argument: string): MapReduceApp {
  const app = APPS.get(id);
  if (app === undefined)
    throw errors.EINVAL(call, argument, `unknown MapReduce app '${id}' (known: ${[...APPS.keys()].join(', ')})`);
  return app;
}
