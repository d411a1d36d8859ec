import {
  announcementCard,
  backUpCard,
  claimCard,
  declareFormCard,
  escalationCard,
  handoverOfferCard,
  knownOutageCard,
  resolveMenuCard,
  statusCard,
  suspectedCard,
  updateFormCard,
} from './outageViews';
import {
  adviceCard,
  channelCard,
  closedFormCard,
  contactsCard,
  hoursCard,
  noticeCard,
  questionCard,
  reviewCard,
  welcomeCard,
  worthKnowing,
} from './views';
import { posterCard } from './handlers/posterHandler';

/**
 * Every card the bot can send, one entry each: its template (cards/<template>.json),
 * the view model that template is bound to (TemplateModels in src/bot/cards.ts), and
 * the builder (defineCard). cardMessage sends only cards built this way, and the
 * card test renders every entry here with its examples and validates it, and fails
 * for a card defined anywhere but not listed here.
 *
 * Adding a card: a template in cards/ with its view model in TemplateModels, the
 * builder (defineCard), an entry here, texts in both catalogues, and its examples
 * in test/bot/cards.test.ts (the compiler asks for them).
 */
export const CARDS = {
  welcome: welcomeCard,
  question: questionCard,
  advice: adviceCard,
  worthKnowing,
  contacts: contactsCard,
  hours: hoursCard,
  notice: noticeCard,
  review: reviewCard,
  announcement: announcementCard,
  knownOutage: knownOutageCard,
  suspected: suspectedCard,
  status: statusCard,
  declareForm: declareFormCard,
  updateForm: updateFormCard,
  resolveMenu: resolveMenuCard,
  escalation: escalationCard,
  claim: claimCard,
  backUp: backUpCard,
  handoverOffer: handoverOfferCard,
  channel: channelCard,
  closedForm: closedFormCard,
  poster: posterCard,
} as const;

export type CardName = keyof typeof CARDS;
/** The arguments a card is built from. */
export type CardArgs<K extends CardName> = Parameters<(typeof CARDS)[K]>;
