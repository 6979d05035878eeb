import { assert, assertExact, testValues } from "./_assert.ts";
import { decodeNpy, encodeNpy, type NpyArray, readNpy, writeNpy } from "../lib/io/npy.ts";

/** True when `python3 -c "import numpy"` works (the NumPy cross-check then runs). */
async function hasNumpy(): Promise<boolean> {
  try {
    const { code } = await new Deno.Command("python3", { args: ["-c", "import numpy"], stderr: "null" })
      .output();
    return code === 0;
  } catch {
    return false;
  }
}
const NUMPY = await hasNumpy();
if (!NUMPY) {
  console.error("python3 with numpy not found: the NumPy load check is skipped (header checks still run)");
}

const CASES: { name: string; array: NpyArray; shape: number[]; descr: string }[] = [
  { name: "f4_2x3", array: Float32Array.from(testValues(6)), shape: [2, 3], descr: "<f4" },
  {
    name: "f8_7",
    array: Float64Array.from(testValues(7, 2), (v) => v * 1e300 / 3),
    shape: [7],
    descr: "<f8",
  },
  {
    name: "u4_3x1x5",
    array: Uint32Array.from({ length: 15 }, (_, i) => 0xffffffff - i * 7919),
    shape: [3, 1, 5],
    descr: "<u4",
  },
  { name: "i4_4", array: Int32Array.from([-2147483648, -1, 0, 2147483647]), shape: [4], descr: "<i4" },
  { name: "f4_empty", array: new Float32Array(0), shape: [0, 3], descr: "<f4" },
  { name: "f8_scalar", array: new Float64Array([Math.PI]), shape: [], descr: "<f8" },
  { name: "u1_65", array: Uint8Array.from({ length: 65 }, (_, i) => i * 3), shape: [65], descr: "|u1" },
];

Deno.test("npy header follows format 1.0: magic, version, padded dict, data aligned to 64", () => {
  for (const c of CASES) {
    const bytes = encodeNpy(c.array, c.shape);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], c.name);
    const headerLength = bytes[8] | (bytes[9] << 8);
    const header = new TextDecoder("latin1").decode(bytes.subarray(10, 10 + headerLength));
    assert.equal((10 + headerLength) % 64, 0, `${c.name}: data offset ${10 + headerLength}`);
    assert.ok(header.endsWith("\n"), c.name);
    const shapeText = c.shape.length === 1 ? `(${c.shape[0]},)` : `(${c.shape.join(", ")})`;
    assert.equal(
      header.trimEnd(),
      `{'descr': '${c.descr}', 'fortran_order': False, 'shape': ${shapeText}, }`,
      c.name,
    );
    assert.equal(bytes.length, 10 + headerLength + c.array.byteLength, c.name);
    assert.match(header, /^[\x20-\x7e]*\n$/, `${c.name}: header is printable ASCII`);
  }
});

Deno.test("npy round trip keeps dtype, shape and every bit (NaN, -0, Infinity included)", async () => {
  const dir = await Deno.makeTempDir();
  const special = new Float32Array([NaN, -0, Infinity, -Infinity, 1e-45, 3.4028234e38]);
  for (const c of [...CASES, { name: "f4_special", array: special, shape: [6], descr: "<f4" }]) {
    await writeNpy(`${dir}/${c.name}.npy`, c.array, c.shape);
    const back = await readNpy(`${dir}/${c.name}.npy`);
    assert.equal(back.descr, c.descr);
    assert.deepEqual(back.shape, c.shape);
    assert.equal(back.data.constructor, c.array.constructor);
    assert.deepEqual(new Uint8Array(back.data.buffer), new Uint8Array(c.array.buffer), c.name);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: "npy files written here load in NumPy with equal values, and NumPy's files load here",
  ignore: !NUMPY,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    for (const c of CASES) await writeNpy(`${dir}/${c.name}.npy`, c.array, c.shape);
    // NumPy reads ours and writes each back as <name>.numpy.npy (its own header), with a report line.
    const script = `
import numpy as np, sys, json
out = {}
for name in sys.argv[2:]:
    a = np.load(f"{sys.argv[1]}/{name}.npy")
    out[name] = {"dtype": a.dtype.str, "shape": list(a.shape), "hex": a.tobytes().hex()}
    np.save(f"{sys.argv[1]}/{name}.numpy.npy", a)
print(json.dumps(out))
`;
    const result = await new Deno.Command("python3", {
      args: ["-c", script, dir, ...CASES.map((c) => c.name)],
    }).output();
    assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
    const seen = JSON.parse(new TextDecoder().decode(result.stdout));
    for (const c of CASES) {
      assert.equal(seen[c.name].dtype, c.descr, c.name);
      assert.deepEqual(seen[c.name].shape, c.shape, c.name);
      const ours = [...new Uint8Array(c.array.buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
      assert.equal(seen[c.name].hex, ours, `${c.name}: NumPy's bytes`);
      const theirs = await readNpy(`${dir}/${c.name}.numpy.npy`);
      assert.deepEqual(theirs.shape, c.shape);
      assertExact(Float64Array.from(theirs.data), Float64Array.from(c.array), `${c.name} written by NumPy`);
    }
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("bad npy input is refused with a message naming the problem", () => {
  const good = encodeNpy(new Float32Array([1, 2, 3]));
  assert.throws(() => decodeNpy(new Uint8Array([1, 2, 3]), "x.npy"), /Cannot read x.npy: not a .npy file/);
  assert.throws(
    () => decodeNpy(good.subarray(0, good.length - 1), "x.npy"),
    /needs 12 data bytes, the file has 11/,
  );
  const bigEndian = good.slice();
  bigEndian[10 + 11] = ">".charCodeAt(0); // {'descr': '<f4' -> '>f4'
  assert.throws(() => decodeNpy(bigEndian), /dtype '>f4' is not supported/);
  assert.throws(() => encodeNpy(new Float32Array(6), [4, 2]), /holds 8 values, the array has 6/);
  assert.throws(() => encodeNpy(new Float32Array(2), [-1, -2]), RangeError);
  assert.throws(() => encodeNpy(new Int16Array(2) as unknown as Float32Array), /unsupported array type/);
});
