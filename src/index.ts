// The action's entry. preflight is imported first: ES modules evaluate in import order, so it
// runs before @actions/github (imported by main) reads the event payload.
import './preflight.js';
import { run } from './main.js';

void run();
