import type { PosterBranch, PosterContent, PosterDay } from '../domain/poster';

/**
 * The emergency card as one self-contained A4 HTML page (styles and the QR code
 * inline, no fonts or scripts from anywhere): it opens and prints from a browser
 * with no network, and Chromium prints it to the PDF (src/cli/poster.ts).
 *
 * Every phone number is large wherever it appears. All sizes follow one CSS
 * variable, --scale, which the PDF step lowers until the page fits on one sheet.
 */

export interface PosterPage {
  readonly content: PosterContent;
  /** The QR code of the chat link as inline SVG; null when there is no link. */
  readonly qrSvg: string | null;
  /** Font scale, 1 = the designed size. */
  readonly scale?: number | undefined;
}

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Escapes a text and sets every known phone number in it in large type. */
function withNumbers(text: string, phones: readonly string[]): string {
  let html = escape(text);
  for (const phone of phones) html = html.split(escape(phone)).join(`<b class="num">${escape(phone)}</b>`);
  return html;
}

export function posterHtml({ content: p, qrSvg, scale = 1 }: PosterPage): string {
  const phones = [...new Set(p.contacts.items.flatMap((c) => (c.phone === null ? [] : [c.phone])))].sort((a, b) => b.length - a.length);
  const text = (s: string): string => withNumbers(s, phones);
  const lines = (items: readonly string[], tag = 'p'): string => items.map((l) => `<${tag}>${text(l)}</${tag}>`).join('');

  const branch = (b: PosterBranch): string => `
      <div class="branch">
        <div class="answer">${escape(b.answer)}</div>
        ${b.call ? `<div class="call"><span class="who">${escape(b.call.name)}</span> <b class="phone">${escape(b.call.phone)}</b></div>` : ''}
        ${b.menu.length > 0 ? `<ol class="menu">${lines(b.menu, 'li')}</ol>` : ''}
        ${lines(b.lines)}
      </div>`;

  const path = p.path
    .map(
      (s) => `
    <section class="step">
      <h2><span class="n">${s.number}</span> ${escape(s.question)}</h2>
      ${s.hints.map((h) => `<p class="hint">${text(h)}</p>`).join('')}
      <div class="branches b${s.branches.length}">${s.branches.map(branch).join('')}</div>
    </section>`,
    )
    .join('');

  const day = (d: PosterDay): string =>
    `<tr${d.today ? ' class="today"' : ''}><td>${escape(d.day)}</td><td>${escape(d.hours)}${d.reason ? ` <span class="reason">(${escape(d.reason)})</span>` : ''}</td></tr>`;

  const contacts = p.contacts.items
    .map(
      (c) => `
      <div class="contact">
        <div class="name">${escape(c.name)}</div>
        ${c.phone ? `<b class="phone">${escape(c.phone)}</b>` : ''}
        ${c.email ? `<div class="email">${escape(c.email)}</div>` : ''}
        <div class="when">${escape(c.when)}</div>
      </div>`,
    )
    .join('');

  return `<!doctype html>
<html lang="${p.lang}">
<head>
<meta charset="utf-8">
<title>${escape(p.title)}</title>
<style>
  @page { size: A4; margin: 0; }
  :root { --scale: ${scale}; --ink: #111; --accent: #0b5394; --soft: #e8f0f8; --warn: #b45309; }
  * { box-sizing: border-box; }
  html, body { margin: 0; padding: 0; }
  body { font-family: "Liberation Sans", "DejaVu Sans", Arial, Helvetica, sans-serif; color: var(--ink);
         font-size: calc(9.2pt * var(--scale)); line-height: 1.25; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .page { width: 210mm; height: 297mm; padding: 8mm 9mm 7mm; display: flex; flex-direction: column; gap: calc(2.2mm * var(--scale)); overflow: hidden; }
  header { background: var(--accent); color: #fff; padding: calc(3mm * var(--scale)) 4mm; border-radius: 2mm; }
  header h1 { margin: 0; font-size: calc(21pt * var(--scale)); line-height: 1.1; }
  header .sub { margin: 1mm 0 0; font-size: calc(11pt * var(--scale)); }
  header .org { float: right; font-size: calc(8.5pt * var(--scale)); opacity: .9; margin-top: 1mm; }
  main { display: grid; grid-template-columns: 1fr 66mm; gap: 3.5mm; flex: 1 1 auto; min-height: 0; }
  h2 { font-size: calc(12.5pt * var(--scale)); margin: 0 0 calc(1mm * var(--scale)); color: var(--accent); }
  h3 { font-size: calc(10.5pt * var(--scale)); margin: 0 0 calc(.8mm * var(--scale)); color: var(--accent); }
  p { margin: 0 0 calc(.7mm * var(--scale)); }
  .n { display: inline-block; min-width: 1.5em; text-align: center; background: var(--accent); color: #fff; border-radius: 50%; }
  .step { border: .4mm solid var(--accent); border-radius: 2mm; padding: calc(2mm * var(--scale)) 2.5mm; margin-bottom: calc(2mm * var(--scale)); }
  .step:last-child { margin-bottom: 0; }
  .hint { color: #333; }
  .branches { display: grid; gap: 2mm; margin-top: calc(1mm * var(--scale)); }
  .branches.b2 { grid-template-columns: 1fr 1fr; }
  .branches.b3 { grid-template-columns: 1.3fr 1fr; }
  .branches.b3 > .branch:first-child { grid-row: span 2; }
  .branch { background: var(--soft); border-radius: 1.5mm; padding: calc(1.4mm * var(--scale)) 2mm; }
  .answer { font-weight: bold; margin-bottom: calc(.6mm * var(--scale)); }
  .answer::before { content: "→ "; color: var(--accent); }
  .call .who { font-weight: bold; }
  .phone { font-size: calc(11pt + 7pt * var(--scale)); letter-spacing: .02em; white-space: nowrap; }
  .num { font-size: 1.35em; white-space: nowrap; }
  .menu { margin: calc(.6mm * var(--scale)) 0 calc(.8mm * var(--scale)); padding-left: 5mm; }
  .menu li { margin: 0; }
  aside { display: flex; flex-direction: column; gap: calc(2mm * var(--scale)); min-height: 0; }
  .box { border: .4mm solid var(--accent); border-radius: 2mm; padding: calc(1.8mm * var(--scale)) 2.2mm; }
  .box.alert { border-color: var(--warn); background: #fff7ed; }
  .box.alert h3 { color: var(--warn); }
  .numbers { border: .4mm solid var(--accent); border-radius: 2mm; padding: calc(1.6mm * var(--scale)) 2.5mm; }
  .numbers { display: grid; grid-template-columns: 1fr 42mm; grid-template-rows: auto 1fr; gap: 0 4mm; }
  .numbers > h3 { grid-column: 1; }
  .numbers .grid { grid-column: 1; display: grid; grid-template-columns: repeat(3, 1fr); gap: calc(1.2mm * var(--scale)) 4mm; }
  .numbers .chat { grid-column: 2; grid-row: 1 / span 2; border-left: .3mm solid var(--accent); padding-left: 3mm; }
  .numbers .chat svg { display: block; width: calc(30mm * var(--scale)); height: calc(30mm * var(--scale)); margin: 0 0 1mm; }
  .numbers .chat p { font-size: .9em; }
  .contact { margin: 0; }
  .contact .name { font-weight: bold; }
  .contact .phone { display: block; line-height: 1.05; }
  .contact .email, .contact .when { font-size: .9em; color: #333; }
  table { border-collapse: collapse; width: 100%; }
  td { padding: calc(.25mm * var(--scale)) 0; vertical-align: top; }
  td:first-child { padding-right: 2mm; white-space: nowrap; }
  tr.today td { font-weight: bold; }
  .reason { color: var(--warn); }
  .keep { border-top: .4mm solid var(--accent); padding-top: calc(1.5mm * var(--scale)); }
  .keep .items { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1.5mm 4mm; }
  .keep b { display: block; }
  footer { font-size: calc(7.6pt * var(--scale)); color: #333; border-top: .2mm solid #999; padding-top: 1mm; }
  footer p { margin: 0; }
</style>
</head>
<body>
<div class="page">
  <header>
    <div class="org">${escape(p.organisation)}</div>
    <h1>${escape(p.title)}</h1>
    <p class="sub">${escape(p.subtitle)}</p>
  </header>
  <section class="numbers">
    <h3>${escape(p.contacts.heading)}</h3>
    <div class="grid">${contacts}</div>
    <div class="chat">
      <h3>${escape(p.chat.heading)}</h3>
      ${qrSvg ?? ''}
      ${lines(p.chat.lines)}
    </div>
  </section>
  <main>
    <div class="path">${path}
    </div>
    <aside>
      <div class="box alert">
        <h3>${escape(p.twoHour.heading)}</h3>
        ${p.twoHour.call ? `<div class="call"><span class="who">${escape(p.twoHour.call.name)}</span><br><b class="phone">${escape(p.twoHour.call.phone)}</b></div>` : ''}
        ${lines(p.twoHour.lines)}
      </div>
      <div class="box">
        <h3>${escape(p.week.heading)}</h3>
        <table>${p.week.days.map(day).join('')}</table>
        <h3 style="margin-top: 1.5mm">${escape(p.closures.heading)}</h3>
        ${p.closures.days.length === 0 ? `<p>${escape(p.closures.none)}</p>` : `<table>${p.closures.days.map(day).join('')}</table>`}
      </div>
    </aside>
  </main>
  <section class="keep">
    <h3>${escape(p.keepWorking.heading)}</h3>
    <div class="items">${p.keepWorking.items.map((w) => `<div><b>${escape(w.title)}</b>${text(w.text)}</div>`).join('')}</div>
  </section>
  <footer>${p.footer.map((f) => `<p>${escape(f)}</p>`).join('')}</footer>
</div>
</body>
</html>
`;
}
