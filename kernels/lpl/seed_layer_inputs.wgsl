// seed_layer_inputs: the inputs x_t, x_t1 of one step of the seed-LPL kernel (kernels/lpl/seed_layer.wgsl,
// whose header gives the Philox layout and whose bindings images, xs and params these functions use), a
// function library: the image picks, the seed's weak views (lib/lpl/seed_views.ts) or a pair dataset's pair.

// floor(uniform(w) n) for the 24-bit uniform (w >> 8) 2^-24, in integers.
fn scaled(w: u32, n: u32) -> u32 {
  let p = philox_mul_wide(w >> 8u, n);
  return (p.y << 8u) | (p.x >> 24u);
}

fn reflect_index(k: i32, n: i32) -> i32 {
  return select(select(k, 2 * (n - 1) - k, k >= n), -k, k < 0);
}

// Pixel p of a weak view of image `img` with offsets o = (dy, dx, shift), before noise.
fn view_pixel(img: u32, p: u32, o: vec3<i32>) -> f32 {
  let h = i32(params.height);
  let w = i32(params.width);
  let jj = i32(p % params.width) - o.z;
  if (jj < 0 || jj >= w) {
    return 0.0;
  }
  let src = reflect_index(i32(p / params.width) + o.x, h) * w + reflect_index(jj + o.y, w);
  return images[img * params.inputs + u32(src)];
}

fn view_offsets(view: u32, key: vec2<u32>) -> vec3<i32> {
  let o = philox4x32_10(vec4<u32>(0u, 0u, view, 0u), key);
  return vec3<i32>(i32(scaled(o.x, 9u)) - 4, i32(scaled(o.y, 9u)) - 4, i32(scaled(o.z, 5u)) - 2);
}

// x_t and x_t1 of step k into layer l's input scratch (one loop over the two views: each Philox call is
// written once, which keeps the kernel quick to compile on the GL path).
fn load_inputs(l: Layer, s: Model, k: u32, lid: u32) {
  let key = vec2<u32>(s.seed, params.view_stream);
  let pick = philox4x32_10(vec4<u32>(0u, params.pick_step, k, 0u), key);
  let a = scaled(pick.x, params.image_count);
  let b = select(a, scaled(pick.y, params.image_count), s.shuffle == 1u);
  for (var v = 0u; v < 2u; v++) {
    let img = select(a, b, v == 1u);
    let dst = l.x + v * l.n4;
    if (params.paired == 1u) {
      for (var q = lid; q < l.n4; q += WORKGROUP_SIZE) {
        let at = (2u * img + v) * params.inputs + 4u * q;
        xs[dst + q] = vec4<f32>(images[at], images[at + 1u], images[at + 2u], images[at + 3u]);
      }
    } else {
      let view = 2u * k + v;
      let o = view_offsets(view, key);
      for (var q = lid; q < l.n4; q += WORKGROUP_SIZE) {
        let z = philox_normal4(philox4x32_10(vec4<u32>(q, 1u, view, 0u), key));
        let p = 4u * q;
        let pixels = vec4<f32>(view_pixel(img, p, o), view_pixel(img, p + 1u, o), view_pixel(img, p + 2u, o), view_pixel(img, p + 3u, o));
        xs[dst + q] = clamp(pixels + 0.05 * z, vec4<f32>(0.0), vec4<f32>(1.0));
      }
    }
  }
}
