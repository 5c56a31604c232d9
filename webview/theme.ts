/** Reads VS Code theme colours from CSS variables, and reports theme switches. */

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export function themeKind(): ThemeKind {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-light')) return 'light';
  return 'dark';
}

/** The computed value of a `--vscode-*` variable, or `fallback` when the theme doesn't define it. */
export function cssVar(name: string, fallback = ''): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

/** Series colours in VS Code's chart palette order. */
export const CHART_VARS = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-yellow',
  '--vscode-charts-red',
] as const;

const CHART_FALLBACKS = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#cca700', '#f14c4c'];

export function chartPalette(): string[] {
  return CHART_VARS.map((v, i) => cssVar(v, CHART_FALLBACKS[i]));
}

/**
 * Calls `onChange` when VS Code switches theme: it swaps the body class and rewrites the
 * variables in the <html> style attribute. Returns a disposer.
 */
export function onThemeChange(onChange: () => void): () => void {
  let pending = 0;
  const fire = () => {
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      onChange();
    });
  };
  const observer = new MutationObserver(fire);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return () => observer.disconnect();
}
