import { partialMatchStart } from './secret-redactor.ts';

/**
 * Finds and removes control markers (the sudo prompt and ready markers) from a decoded stderr stream, even when a
 * marker is split across chunks, and reports each one in order. The text returned is what the command really printed.
 */
export class MarkerScanner {
  private pending = '';
  private readonly markers: readonly string[];
  private readonly onMarker: (marker: string) => void;

  constructor(markers: readonly string[], onMarker: (marker: string) => void) {
    this.markers = markers;
    this.onMarker = onMarker;
  }

  push(chunk: string): string {
    if (this.markers.length === 0) return chunk;
    let text = this.pending + chunk;
    let out = '';
    for (;;) {
      let at = -1;
      let found = '';
      for (const m of this.markers) {
        const i = text.indexOf(m);
        if (i !== -1 && (at === -1 || i < at)) {
          at = i;
          found = m;
        }
      }
      if (at === -1) break;
      out += text.slice(0, at);
      text = text.slice(at + found.length);
      this.onMarker(found);
    }
    const hold = partialMatchStart(text, this.markers);
    this.pending = text.slice(hold);
    return out + text.slice(0, hold);
  }

  end(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }
}
