import type { Outage } from './outage';

/**
 * Who may do what. One table drives every check on the server (and the tests):
 * a card button hidden from someone is never the only guard.
 */
export type Role = 'anyone' | 'nexusteam' | 'owner' | 'reporter';

export const PERMISSIONS = {
  triage: ['anyone'],
  called: ['anyone'],
  calledKmd: ['anyone'],
  claimDriftvagt: ['nexusteam', 'reporter'],
  worksAgain: ['anyone'],
  status: ['anyone'],
  contacts: ['anyone'],
  hours: ['anyone'],
  help: ['anyone'],
  restart: ['anyone'],
  language: ['anyone'],
  follow: ['anyone'],
  unfollow: ['anyone'],
  declare: ['nexusteam'],
  confirm: ['nexusteam'],
  update: ['nexusteam'],
  resolve: ['nexusteam', 'owner'],
  acknowledge: ['nexusteam', 'owner', 'reporter'],
  handover: ['nexusteam'],
  acceptHandover: ['reporter'],
  channel: ['nexusteam'],
  history: ['nexusteam'],
  export: ['nexusteam'],
  closed: ['nexusteam'],
  bilag1: ['nexusteam'],
  poster: ['nexusteam'],
} as const satisfies Record<string, readonly Role[]>;

export type Verb = keyof typeof PERMISSIONS;

export interface Actor {
  readonly key: string;
  readonly isNexusteam: boolean;
  /** Whether they reported the outage in question (looked up in the report store by the caller). */
  readonly isReporter?: boolean | undefined;
}

/** The outage's owner, when it is a person (the Nexusteam is covered by its role). */
function isOwner(actor: Actor, outage: Outage | null | undefined): boolean {
  return outage?.owner?.kind === 'person' && outage.owner.person.key === actor.key;
}

export function may(verb: Verb, actor: Actor, outage?: Outage | null): boolean {
  const roles: readonly Role[] = PERMISSIONS[verb];
  return roles.some((role) => {
    switch (role) {
      case 'anyone':
        return true;
      case 'nexusteam':
        return actor.isNexusteam;
      case 'owner':
        return isOwner(actor, outage);
      case 'reporter':
        return outage ? actor.isReporter === true : false;
    }
  });
}
