// gather_rows: out[i, c] = x[indices[i], c], rows picked by index (a seeded subset of a dataset held
// on the GPU, e.g. for a Hessian-vector product on a sample subset). Words are copied as u32, so one
// kernel serves f32 and u32 tensors bit for bit.
//
// Bindings: 0 x [rows, cols] (read, as u32 words), 1 indices [count] (read; the host checked each is
// < rows), 2 out [count, cols] (read_write), 3 params (uniform).
// Grid: one invocation per output element, workgroups from grid1d(count * cols, WORKGROUP_SIZE).
// Reference: ReferenceBackend.gatherRows (lib/backend/reference.ts).

struct Params {
  count: u32,
  cols: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> indices: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (e >= params.count * params.cols) {
    return;
  }
  let i = e / params.cols;
  let c = e - i * params.cols;
  out[e] = x[indices[i] * params.cols + c];
}
