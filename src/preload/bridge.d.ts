/** What the preload exposes on `window.plateau` (Electron only). */
interface PlateauBridge {
  invoke(method: string, params: unknown): Promise<import('../shared/rpc/envelope').Reply>;
  onEvent(listener: (name: string, payload: unknown) => void): () => void;
}
interface Window {
  plateau?: PlateauBridge;
}
