// The action's entry point: nothing but run(), so the logic stays importable without running.
import { run } from './main.js';

void run();
