// STUB
import type { CommandRecorder } from "../lib/gpu/recorder.ts";
export function encodeActivation(_r: CommandRecorder, _a: { x: GPUBuffer; out: GPUBuffer; size: number; coefficients: Float64Array; order: 0 | 1 | 2 }): Promise<void> {
  throw new Error("x");
}
export function encodeAxpy(_r: CommandRecorder, _a: { x: GPUBuffer; y: GPUBuffer; size: number; alpha: number }): Promise<void> {
  throw new Error("x");
}
export function encodeScale(_r: CommandRecorder, _a: { x: GPUBuffer; size: number; alpha: number }): Promise<void> {
  throw new Error("x");
}
export function encodeFill(_r: CommandRecorder, _a: { x: GPUBuffer; size: number; bits: number }): Promise<void> {
  throw new Error("x");
}
