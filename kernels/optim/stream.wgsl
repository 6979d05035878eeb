// optim stream: a bandwidth roofline for the update kernel. Reads READS of the buffers a, b, c, d and writes
// WRITES of them, element by element, doing no more arithmetic than a sum (bench/optim.ts compares the update
// against it over the same bytes: sgd 2 reads 1 write, momentum 3/2, adam 4/3).
//
// Bindings: 0 a, 1 b, 2 c, 3 d (rw), 4 params (uniform).
// Grid: one invocation per element, grid1d(size, WORKGROUP_SIZE); i = gid.x + gid.y * groups.x * WORKGROUP_SIZE.
// Reference: none needed beyond the test that checks the written values (a benchmark baseline).

struct Params {
  size: u32,
}

override WORKGROUP_SIZE: u32 = 64u;
override READS: u32 = 2u;
override WRITES: u32 = 1u;

@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<storage, read_write> d: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) grid: vec3<u32>) {
  let i = gid.x + gid.y * grid.x * WORKGROUP_SIZE;
  if (i >= params.size) {
    return;
  }
  var s = a[i];
  if (READS > 1u) {
    s += b[i];
  }
  if (READS > 2u) {
    s += c[i];
  }
  if (READS > 3u) {
    s += d[i];
  }
  s = s * 0.25;
  a[i] = s;
  if (WRITES > 1u) {
    b[i] = s;
  }
  if (WRITES > 2u) {
    c[i] = s;
  }
}
