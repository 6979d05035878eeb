// batched_jacobi: eigenvalues (and optionally eigenvectors) of many small real symmetric matrices
// by cyclic Jacobi rotations, one invocation per matrix (barrier-free), a chunk of sweeps per
// dispatch. The matrix is rotated in place, so later dispatches continue where this one stopped.
//
// Sweep: if the off-diagonal norm^2 2 sum_{p<q} a_pq^2 exceeds tolerance^2 ||A||_F^2, rotate every
// pair (p, q), p < q, in row order with the rotation of Golub & Van Loan, algorithm 8.5.2:
// tau = (a_qq - a_pp) / (2 a_pq), t = sign(tau) / (|tau| + sqrt(1 + tau^2)), c = 1 / sqrt(1 + t^2),
// s = t c; a_kp <- c a_kp - s a_kq, a_kq <- s a_kp + c a_kq (k != p, q, mirrored),
// a_pp <- a_pp - t a_pq, a_qq <- a_qq + t a_pq, a_pq <- 0; V <- V J likewise. A converged matrix
// skips its remaining sweeps (they still count as completed). The eigenvalues are the diagonal
// (unsorted; the host sorts them and permutes the columns of V).
//
// Loop budget per sweep: 2 (P + 2N - 1) + P (N + 1) + 1 loop-condition checks, P = N (N - 1) / 2;
// per dispatch 2 (N^2 + 1) + 1 more (batchedJacobiIterationsPerSweep); the host checks
// completed[chunk, matrix].
//
// Bindings: 0 matrices [count, N^2] (read_write), 1 vectors [count, N^2] (read_write; read only
//   when VECTORS), 2 rotating_sweeps [count] (read_write: sweeps that rotated, cumulative),
//   3 completed [chunks, count] (read_write), 4 params (uniform).
// Grid: grid1d(count, WORKGROUP_SIZE). Reference: symmetricEigen (lib/spectral/jacobi_eigen.ts),
// the same rotation in float64.

struct Params {
  count: u32,
  sweeps: u32,
  chunk: u32,
  tolerance: f32,
}

override WORKGROUP_SIZE: u32 = 64u;
override N: u32 = 10u; // order, 1 <= N <= 16 (a constant: the row loops unroll)
override VECTORS: bool = false;

@group(0) @binding(0) var<storage, read_write> matrices: array<f32>;
@group(0) @binding(1) var<storage, read_write> vectors: array<f32>;
@group(0) @binding(2) var<storage, read_write> rotating_sweeps: array<u32>;
@group(0) @binding(3) var<storage, read_write> completed: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

var<private> a: array<f32, 256>;
var<private> v: array<f32, 256>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let m = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (m >= params.count) {
    return;
  }
  let nn = N * N;
  let base = m * nn;
  var norm2 = 0.0;
  for (var e = 0u; e < nn; e++) {
    a[e] = matrices[base + e];
    norm2 += a[e] * a[e];
    if (VECTORS) {
      v[e] = vectors[base + e];
    }
  }
  let threshold = params.tolerance * params.tolerance * norm2;
  var rotated = rotating_sweeps[m];
  var done = 0u;
  for (var sweep = 0u; sweep < params.sweeps; sweep++) {
    var off = 0.0;
    for (var p = 0u; p + 1u < N; p++) {
      for (var q = p + 1u; q < N; q++) {
        off += 2.0 * a[p * N + q] * a[p * N + q];
      }
    }
    if (off > threshold) {
      rotated += 1u;
      for (var p = 0u; p + 1u < N; p++) {
        for (var q = p + 1u; q < N; q++) {
          let apq = a[p * N + q];
          if (apq != 0.0) {
            let app = a[p * N + p];
            let aqq = a[q * N + q];
            // A huge |tau| overflows tau^2 to inf and gives t = 0: a_pq is then below
            // 1e-19 |a_qq - a_pp| and setting it to 0 is within rounding.
            let tau = (aqq - app) / (2.0 * apq);
            let t = select(-1.0, 1.0, tau >= 0.0) / (abs(tau) + sqrt(1.0 + tau * tau));
            let c = 1.0 / sqrt(1.0 + t * t);
            let s = t * c;
            for (var k = 0u; k < N; k++) {
              if (k != p && k != q) {
                let akp = a[k * N + p];
                let akq = a[k * N + q];
                let np = c * akp - s * akq;
                let nq = s * akp + c * akq;
                a[k * N + p] = np;
                a[p * N + k] = np;
                a[k * N + q] = nq;
                a[q * N + k] = nq;
              }
              if (VECTORS) {
                let vkp = v[k * N + p];
                let vkq = v[k * N + q];
                v[k * N + p] = c * vkp - s * vkq;
                v[k * N + q] = s * vkp + c * vkq;
              }
            }
            a[p * N + p] = app - t * apq;
            a[q * N + q] = aqq + t * apq;
            a[p * N + q] = 0.0;
            a[q * N + p] = 0.0;
          }
        }
      }
    }
    done += 1u;
  }
  for (var e = 0u; e < nn; e++) {
    matrices[base + e] = a[e];
    if (VECTORS) {
      vectors[base + e] = v[e];
    }
  }
  rotating_sweeps[m] = rotated;
  completed[params.chunk * params.count + m] = done;
}
