// augment_table: what the augmentation kernels share, a function library listed before
// augment_params.wgsl, augment_geometry.wgsl and augment_photometric.wgsl (WGSL has no include).
// The per-sample draw table is [batch, PARAMETERS] floats, written by augment_params: crop x, y, width,
// height (0..3); pad-crop offsets x, y (4, 5); flip (6); brightness (7); contrast (8); blur sigma (9);
// jitter flag (10); 0 (11). reflect_index mirrors an index into [0, n) without repeating the edge
// (-1 -> 1, n -> n - 2), for offsets of at most n - 1 (reflectIndex in lib/reference/augment.ts).

const PARAMETERS: u32 = 12u;

fn reflect_index(q: i32, n: i32) -> i32 {
  if (q < 0) {
    return -q;
  }
  if (q >= n) {
    return 2 * (n - 1) - q;
  }
  return q;
}
