// pool_max_window: the 2x2 max-pool's choice of maximum (a library, no entry point; listed before
// kernels/pool/pool_max_backward.wgsl and kernels/pool/pool_max_gather.wgsl, so the gradient and the
// R-operator always agree on it). Reference: maxPoolWindowArgmax in lib/reference/pool.ts.

// Position (0..3, row-major) of the first maximum of a window's values w: strictly greater than every
// earlier value, >= every later one.
fn window_first_max(w: vec4<f32>) -> u32 {
  var first = 0u;
  if (w[1] > w[first]) {
    first = 1u;
  }
  if (w[2] > w[first]) {
    first = 2u;
  }
  if (w[3] > w[first]) {
    first = 3u;
  }
  return first;
}
