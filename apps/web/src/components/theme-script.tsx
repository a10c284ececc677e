/**
 * Sets `dark` on <html> from the system's preference before the first paint (no flash of the wrong theme), and
 * follows the preference when it changes while the page is open. Rendered in <head> by the root layout.
 */
const script = `(function(){var m=window.matchMedia('(prefers-color-scheme: dark)');function a(){var d=m.matches;document.documentElement.classList.toggle('dark',d);document.documentElement.style.colorScheme=d?'dark':'light'}a();m.addEventListener('change',a)})()`;

export function ThemeScript() {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script, no user input
  return <script dangerouslySetInnerHTML={{ __html: script }} />;
}
