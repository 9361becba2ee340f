/** What the preload exposes on `window.plateau` (Electron only). */
interface PlateauBridge {
  invoke(method: string, params: unknown): Promise<import('../shared/rpc/envelope').Reply>;
  onEvent(listener: (name: string, payload: unknown) => void): () => void;
  /** Where a dropped file or folder lies on this machine ('' for one that is not on disk). */
  pathForFile(file: File): string;
}
interface Window {
  plateau?: PlateauBridge;
}
