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

// x_t and x_t1 of step k into layer l's input scratch.
fn load_inputs(l: Layer, s: Model, k: u32, lid: u32) {
  let key = vec2<u32>(s.seed, params.view_stream);
  let pick = philox4x32_10(vec4<u32>(0u, params.pick_step, k, 0u), key);
  let a = scaled(pick.x, params.image_count);
  let b = select(a, scaled(pick.y, params.image_count), s.shuffle == 1u);
  let n4 = l.n4;
  if (params.paired == 1u) {
    for (var q = lid; q < n4; q += WORKGROUP_SIZE) {
      let at = 2u * a * params.inputs + 4u * q;
      let bt = (2u * b + 1u) * params.inputs + 4u * q;
      xs[l.x + q] = vec4<f32>(images[at], images[at + 1u], images[at + 2u], images[at + 3u]);
      xs[l.x + n4 + q] = vec4<f32>(images[bt], images[bt + 1u], images[bt + 2u], images[bt + 3u]);
    }
    return;
  }
  let ot = view_offsets(2u * k, key);
  let ot1 = view_offsets(2u * k + 1u, key);
  for (var q = lid; q < n4; q += WORKGROUP_SIZE) {
    let zt = philox_normal4(philox4x32_10(vec4<u32>(q, 1u, 2u * k, 0u), key));
    let zt1 = philox_normal4(philox4x32_10(vec4<u32>(q, 1u, 2u * k + 1u, 0u), key));
    let p = 4u * q;
    let vt = vec4<f32>(view_pixel(a, p, ot), view_pixel(a, p + 1u, ot), view_pixel(a, p + 2u, ot), view_pixel(a, p + 3u, ot));
    let vt1 = vec4<f32>(view_pixel(b, p, ot1), view_pixel(b, p + 1u, ot1), view_pixel(b, p + 2u, ot1), view_pixel(b, p + 3u, ot1));
    xs[l.x + q] = clamp(vt + 0.05 * zt, vec4<f32>(0.0), vec4<f32>(1.0));
    xs[l.x + n4 + q] = clamp(vt1 + 0.05 * zt1, vec4<f32>(0.0), vec4<f32>(1.0));
  }
}
