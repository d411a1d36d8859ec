import { set } from './text';

/** Words that say "not", for every reader: "virker ikke", "ikke nexus", "nej, ikke nu". */
export const NEGATION = set(
  'ikke ik ikk ikek ike ikkw ikkr ilke ikkke not isnt arent doesnt dont didnt wont cant cannot couldnt wasnt werent havent hasnt never aldrig ej',
);
/** A question that starts with a verb: "virker nexus?", "er nexus nede", "is nexus down". */
export const QUESTION_VERBS = set('virker fungerer kører er går har kan duer vil is are does do did can has have will was could');
