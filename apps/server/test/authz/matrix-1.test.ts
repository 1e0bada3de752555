import { describe } from 'vitest';
import { matrixPart } from './run';

// The authorization matrix, part 1 of 2 (see README.md in this folder).
describe('authorization matrix', () => matrixPart(0, 2));
