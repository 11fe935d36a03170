/** A bounded background load on POST /predict: `workers` loops, stopped by stop() or after 3 minutes / 200 000 requests. */
export interface Load {
  done: number;
  failed: number;
  stop(): Promise<void>;
}

export function startLoad(port: number, workers: number): Load {
  const body = JSON.stringify({ text: 'Congratulations, you won a free prize! Reply now' });
  const deadline = Date.now() + 180_000;
  let stopped = false;
  const load: Load = { done: 0, failed: 0, stop: async () => undefined };
  const worker = async (): Promise<void> => {
    while (!stopped && Date.now() < deadline && load.done < 200_000) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.arrayBuffer();
        if (res.status !== 200) load.failed += 1;
      } catch {
        load.failed += 1; // counted: the tests read `failed`
      }
      load.done += 1;
    }
  };
  const all = Promise.all(Array.from({ length: workers }, worker));
  load.stop = async () => {
    stopped = true;
    await all;
  };
  return load;
}
