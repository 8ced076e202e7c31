import { crashSuite } from './crash-suite.ts';

crashSuite({ name: 'sqlite', workers: 1 });
