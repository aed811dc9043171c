/** The charts' colours, read from the stylesheet's custom properties so that light and dark match the page. */
import { useEffect, useMemo, useState } from 'react';

/** Reads the palette from the stylesheet, again when the colour scheme changes. */
export function usePalette(): (name: string) => string {
  const [scheme, setScheme] = useState(0);
  useEffect(() => {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const on = () => setScheme((n) => n + 1);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  return useMemo(() => {
    const style = getComputedStyle(document.documentElement);
    const cache = new Map<string, string>();
    return (name: string) => {
      if (!cache.has(name)) cache.set(name, style.getPropertyValue(`--${name}`).trim() || '#888');
      return cache.get(name)!;
    };
  }, [scheme]); // re-read when the scheme changes
}
