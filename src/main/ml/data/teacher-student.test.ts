import { describe, expect, it } from 'vitest';
import { trainConfigSchema } from '../../../shared/domain/train-config';
import { makeDataset } from './make-dataset';
import { teacherLabel, teacherStudent } from './teacher-student';

const config = (o: Record<string, unknown> = {}) => trainConfigSchema.shape.dataset.parse({ kind: 'teacher-student', ...o });

describe('teacher-student data', () => {
  it('labels Gaussian inputs with a fixed ReLU teacher, deterministically from the seed', () => {
    const c = config({ dim: 8, classes: 3, teacherWidth: 5, trainSize: 400, testSize: 100 }) as never;
    const a = teacherStudent(1, c);
    const b = makeDataset(c, 1);
    expect(a.train.labels).toEqual(b.train.labels);
    expect(a.inputDim).toBe(8);
    expect(a.numClasses).toBe(3);
    expect(teacherStudent(2, c).train.labels).not.toEqual(a.train.labels);
    // Every class occurs: a random teacher splits the Gaussian into regions of non-trivial mass.
    const counts = [0, 0, 0];
    for (const y of a.train.labels) counts[y]++;
    expect(Math.min(...counts)).toBeGreaterThan(20);
  });

  it('the teacher is argmax W2 relu(W1 x), by hand', () => {
    // W1 = [[1, 0], [0, 1], [-1, -1]], W2 = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]: class = argmax(relu(x1), relu(x2), relu(-x1-x2))
    const t = {
      w1: Float64Array.from([1, 0, 0, 1, -1, -1]),
      w2: Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]),
      dim: 2,
      width: 3,
      classes: 3,
    };
    expect(teacherLabel(t, [2, 1])).toBe(0);
    expect(teacherLabel(t, [0.5, 3])).toBe(1);
    expect(teacherLabel(t, [-1, -2])).toBe(2);
    expect(teacherLabel(t, [0, 0])).toBe(0); // all zero: ties go to the lowest class
    expect(() => config({ classes: 1 })).toThrow();
  });
});
