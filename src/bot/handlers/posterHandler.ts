import { posterContent, dayLine, type PosterContent } from '../../domain/poster';
import { defineCard, type PosterLineVM, type TemplateModels } from '../cards';
import { cardMessage } from '../views';
import { authorise, type Actor } from './outageHandlers';

/**
 * "plakat": the Nexusteam sees the emergency poster's content as a card (the same
 * content `npm run poster` prints, with ad-hoc closures from "lukket" too) and how
 * to print it.
 */
export async function poster(a: Actor): Promise<void> {
  if (!(await authorise(a, 'poster'))) return;
  const { lang, instruction, hours, now } = a.view;
  await a.context.sendActivity(cardMessage(posterCard(posterContent(instruction, hours, now, { lang }))));
}

type LineVM = PosterLineVM;

const text = (t: string): LineVM => ({ text: t, size: 'Default', weight: 'Default', subtle: false });
const bold = (t: string): LineVM => ({ text: t, size: 'Default', weight: 'Bolder', subtle: false });
const number = (t: string): LineVM => ({ text: t, size: 'Large', weight: 'Bolder', subtle: false });
const small = (t: string): LineVM => ({ text: t, size: 'Small', weight: 'Default', subtle: true });

/** The poster as a card: the decision path, the numbers in large type, the hours, what to do meanwhile, how to print it. */
export const posterCard = defineCard('poster', (p: PosterContent): TemplateModels['poster'] => {
  const sections: { heading: string; lines: LineVM[] }[] = [];
  for (const step of p.path) {
    const lines: LineVM[] = step.hints.map(text);
    for (const b of step.branches) {
      lines.push(bold(`→ ${b.answer}`));
      if (b.call) lines.push(number(`${b.call.name}: ${b.call.phone}`));
      lines.push(...b.menu.map((m, i) => text(`${i + 1}. ${m}`)), ...b.lines.map(text));
    }
    sections.push({ heading: `${step.number}. ${step.question}`, lines });
  }
  sections.push({
    heading: p.twoHour.heading,
    lines: [...(p.twoHour.call ? [number(`${p.twoHour.call.name}: ${p.twoHour.call.phone}`)] : []), ...p.twoHour.lines.map(text)],
  });
  sections.push({
    heading: p.contacts.heading,
    lines: p.contacts.items.flatMap((c) => [c.phone ? number(`${c.name}: ${c.phone}`) : bold(c.name), small([c.email, c.when].filter((x) => x !== null).join(' · '))]),
  });
  sections.push({ heading: p.week.heading, lines: p.week.days.map((d) => (d.today ? bold(dayLine(d)) : text(dayLine(d)))) });
  sections.push({ heading: p.closures.heading, lines: p.closures.days.length === 0 ? [text(p.closures.none)] : p.closures.days.map((d) => text(dayLine(d))) });
  sections.push({ heading: p.keepWorking.heading, lines: p.keepWorking.items.flatMap((w) => [bold(w.title), text(w.text)]) });
  sections.push({ heading: p.print.heading, lines: [...p.print.lines.map(text), ...p.footer.map(small)] });
  return { title: p.title, subtitle: p.subtitle, sections };
});
