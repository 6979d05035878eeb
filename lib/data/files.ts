/**
 * Reading dataset files: whole files, streamed through gzip when the name ends in `.gz`,
 * with errors that name the file and say what is wrong and how to get it.
 *
 * @module
 */

/** A dataset file that is missing, truncated or corrupt. */
export class DatasetFileError extends Error {
  /** The file. */
  readonly path: string;
  /** @param path The file; @param message The full message. */
  constructor(path: string, message: string) {
    super(message);
    this.name = "DatasetFileError";
    this.path = path;
  }
}

/**
 * Reads a file's bytes, decompressing it on the fly when its name ends in `.gz`
 * (`DecompressionStream("gzip")`, chunk by chunk).
 *
 * @param path The file.
 * @param hint What to do when it is missing (appended to the message).
 * @returns Its (decompressed) bytes.
 * @throws {DatasetFileError} When the file is missing or unreadable, or its gzip stream is corrupt or truncated.
 */
export async function readDatasetFile(path: string, hint = ""): Promise<Uint8Array> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "it does not exist" : (error as Error).message;
    throw new DatasetFileError(path, `Cannot read dataset file "${path}": ${why}${hint ? `; ${hint}` : ""}`);
  }
  if (!path.endsWith(".gz")) {
    try {
      return await readAll(file.readable);
    } catch (error) {
      throw new DatasetFileError(path, `Cannot read dataset file "${path}": ${(error as Error).message}`);
    }
  }
  try {
    return await readAll(file.readable.pipeThrough(new DecompressionStream("gzip")));
  } catch (error) {
    const size = await Deno.stat(path).then((info) => `${info.size} bytes on disk`, () => "size unknown");
    throw new DatasetFileError(
      path,
      `Cannot read dataset file "${path}": its gzip stream is corrupt or truncated (${size}; ${
        (error as Error).message
      })${hint ? `; replace the file: ${hint}` : ""}`,
    );
  }
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    total += chunk.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Joins a directory and a file name with one slash.
 *
 * @param dir A directory (with or without a trailing slash).
 * @param name A file name.
 * @returns The path.
 */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}
