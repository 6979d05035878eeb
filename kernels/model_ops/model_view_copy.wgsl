// model_view_copy: copies (or adds) a range of one flat vector into a range of another, so
// layers can use views of the flat parameter vector as whole buffers and write their gradients
// back into the flat gradient:
//   dst[dst_offset + i] = (accumulate ? dst[dst_offset + i] : 0) + alpha src[src_offset + i], i < size
//
// Bindings: 0 src (read), 1 dst (read_write), 2 params (uniform). src and dst are different buffers.
// Grid: one invocation per element, workgroups from grid1d(size, WORKGROUP_SIZE).
// Reference: Float64Array.set / subarray arithmetic (lib/models/mlp_reference.ts works on views directly).

struct Params {
  size: u32,
  src_offset: u32,
  dst_offset: u32,
  accumulate: u32,
  alpha: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.size) {
    return;
  }
  var v = params.alpha * src[params.src_offset + i];
  if (params.accumulate != 0u) {
    v += dst[params.dst_offset + i];
  }
  dst[params.dst_offset + i] = v;
}
