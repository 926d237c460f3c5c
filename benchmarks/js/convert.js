// Read a file with citation.js and print it as CSL-JSON or RIS: a peer for the benchmark
// and a second, independent reader for the tests.  node convert.js INPUT [csl|ris] [format]
const fs = require('fs');
const { Cite, plugins } = require('@citation-js/core');
require('@citation-js/plugin-bibtex');
require('@citation-js/plugin-ris');
require('@citation-js/plugin-csl');

const [input, output = 'csl', forceType] = process.argv.slice(2);
let text = fs.readFileSync(input, 'utf8');
if (forceType && forceType.startsWith('@csl')) text = JSON.parse(text);  // CSL-JSON as data
// generateGraph: false, or every item carries a copy of the whole input (quadratic)
const options = forceType && !forceType.startsWith('@csl')
  ? { forceType, generateGraph: false } : { generateGraph: false };
const cite = new Cite(text, options);
if (output === 'ris') {
  process.stdout.write(cite.format('ris'));
} else {
  process.stdout.write(JSON.stringify(cite.data));
}
