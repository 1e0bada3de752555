import { describe } from 'vitest';
import { matrixPart } from './run';

// The authorization matrix, part 2 of 2 (see README.md in this folder).
describe('authorization matrix', () => matrixPart(1, 2));
