// htm bound to Preact's h: every component writes its markup as html`…`.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
