/**
 * Random draws of EnhancedSGD's controllers: a seeded Philox stream on the host (the toolkit's generator, so
 * a run is reproducible from its seed), or a scripted sequence for tests.
 *
 * @module
 */
import { PhiloxStream } from "../rng/philox.ts";

/** A source of uniforms in [0, 1) and standard normals. */
export interface RandomSource {
  uniform(): number;
  normal(): number;
}

/** Stream ids under one seed: the controller's draws and the gradient noise never share numbers. */
export const CONTROLLER_STREAM = 0x65736764; // "esgd"
/** Stream id of the gradient noise (Backend.random, counter step = optimizer step). */
export const NOISE_STREAM = 0x65736765;

/** Uniforms and normals from Philox (seed, {@linkcode CONTROLLER_STREAM}), drawn in order. */
export class SeededRandom implements RandomSource {
  #rng: PhiloxStream;
  #n = 0;

  /** @param seed An integer in [0, 2^32). */
  constructor(seed: number) {
    this.#rng = new PhiloxStream(seed, CONTROLLER_STREAM);
  }

  uniform(): number {
    const k = this.#n++;
    return this.#rng.uniform(0, Math.floor(k / 2 ** 30), k % 2 ** 30);
  }

  normal(): number {
    const k = this.#n++;
    return this.#rng.normal(1, Math.floor(k / 2 ** 30), k % 2 ** 30);
  }

  /** Draws so far (for a checkpoint). */
  get drawn(): number {
    return this.#n;
  }

  set drawn(n: number) {
    this.#n = n;
  }
}

/** Replays fixed uniforms (and normals) in order; throws when they run out (tests). */
export class ScriptedRandom implements RandomSource {
  #u: number[];
  #z: number[];

  /** @param uniforms Uniforms to return in order. @param normals Normals to return in order. */
  constructor(uniforms: readonly number[], normals: readonly number[] = []) {
    this.#u = [...uniforms];
    this.#z = [...normals];
  }

  uniform(): number {
    const u = this.#u.shift();
    if (u === undefined) throw new RangeError(`Cannot draw a scripted uniform: the script is exhausted`);
    return u;
  }

  normal(): number {
    const z = this.#z.shift();
    if (z === undefined) throw new RangeError(`Cannot draw a scripted normal: the script is exhausted`);
    return z;
  }
}
