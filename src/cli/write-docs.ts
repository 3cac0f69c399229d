/** `npm run docs`: regenerate docs/parameters.md from the descriptors. */
import { writeFileSync } from 'node:fs';
import { parameterReference } from '../model/param-docs.js';

const target = new URL('../../docs/parameters.md', import.meta.url);
writeFileSync(target, parameterReference());
process.stderr.write(`wrote ${target.pathname.split('/').slice(-2).join('/')}\n`);
