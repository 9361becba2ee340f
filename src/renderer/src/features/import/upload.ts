/** Uploads dropped files to the browser host (POST /upload), one batch per drop, reporting progress 0..1. */
export async function uploadFiles(files: File[], onProgress: (fraction: number) => void): Promise<{ path: string; dir: string }[]> {
  const batch = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');
  const total = files.reduce((s, f) => s + f.size, 0) || 1;
  let done = 0;
  const out: { path: string; dir: string }[] = [];
  for (const file of files) {
    out.push(
      await new Promise((resolve, reject) => {
        // XHR, not fetch: fetch cannot report upload progress.
        const xhr = new XMLHttpRequest();
        xhr.open('POST', `/upload?name=${encodeURIComponent(file.name)}&batch=${batch}`);
        xhr.upload.onprogress = (e) => onProgress((done + e.loaded) / total);
        xhr.onload = () => {
          const reply = JSON.parse(xhr.responseText || '{}') as {
            ok?: boolean;
            result?: { path: string; dir: string };
            error?: { message: string };
          };
          if (reply.ok && reply.result) resolve(reply.result);
          else reject(new Error(reply.error?.message ?? `Upload of ${file.name} failed (${xhr.status}).`));
        };
        xhr.onerror = () => reject(new Error(`Upload of ${file.name} broke off.`));
        xhr.send(file);
      }),
    );
    done += file.size;
  }
  onProgress(1);
  return out;
}
