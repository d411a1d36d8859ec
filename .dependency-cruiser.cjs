// @ts-check
// The import rules of the layout (README, "Layout"), checked by dependency-cruiser:
// `npx depcruise src test bench --config .dependency-cruiser.cjs` (part of `npm run lint`).
//
// Paths are matched from the repository's root, by folder, so a module that becomes
// a folder (src/notify/outbox/…) or a folder that moves is
// still covered.

/** Bot, channel, HTTP, mail, database and cloud SDKs: none belongs in the domain. */
const SDKS = [
  'botbuilder[^/]*',
  'botframework-[^/]*',
  'adaptivecards[^/]*',
  'restify[^/]*',
  'nodemailer',
  'better-sqlite3',
  '@azure/[^/]+',
  '@microsoft/[^/]+',
  'pino[^/]*',
  'playwright[^/]*',
].join('|');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // --- the domain is pure --------------------------------------------------------
    {
      name: 'domain-imports-only-instruction',
      comment:
        'src/domain/ is pure logic: within src/ it imports only src/domain/, src/instruction/ and src/lib/ ' +
        '(no store, notify, scheduler, server, app, bot, dev, cli, config or log).',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/(domain|instruction|lib)/' },
    },
    {
      name: 'lib-imports-nothing',
      comment: 'src/lib/ holds the small helpers everyone shares (backoff, sleep, isRecord, tel:, schemaFor): it imports nothing of the project.',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'teams-addressing-only-lib',
      comment: 'src/teams/ (Teams addressing: ids, tenants, conversation references) imports only src/lib/ within src/, and botbuilder types.',
      severity: 'error',
      from: { path: '^src/teams/' },
      to: { path: '^src/', pathNot: '^src/(teams|lib)/' },
    },
    {
      name: 'domain-no-sdk',
      comment: 'src/domain/ imports no bot SDK, web server, mail, database, cloud or logging library.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], path: `(^|/)node_modules/(${SDKS})/` },
    },
    {
      name: 'domain-no-io',
      comment: 'src/domain/ does no I/O: time and data are passed in, so it reads no file, socket or process.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['core'], path: '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|worker_threads|cluster|readline)$' },
    },

    // --- the rest of the layout: imports go one way -----------------------------------
    {
      name: 'app-not-to-edges',
      comment: 'src/app/ (the use cases) imports no src/bot/, nor the other edges that call it (server, dev, cli).',
      severity: 'error',
      from: { path: '^src/app/' },
      to: { path: '^src/(bot|server|dev|cli)/' },
    },
    {
      name: 'infrastructure-not-to-app-or-bot',
      comment: 'src/store/, src/notify/ and src/scheduler/ import neither src/bot/ nor src/app/ (nor the edges above them).',
      severity: 'error',
      from: { path: '^src/(store|notify|scheduler)/' },
      to: { path: '^src/(bot|app|server|dev|cli)/' },
    },
    {
      name: 'product-not-to-tooling',
      comment: 'Nothing in src/ imports the tests, their helpers or the benches.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'product-not-to-dev-dependencies',
      comment:
        'The product runs with production dependencies only (App Service installs no devDependencies): ' +
        'only the developer CLIs that make the Teams package and the poster may import one.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/(package|teamsApp|manifestValidation|poster)\\.ts$' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },

    // --- hygiene -------------------------------------------------------------------
    {
      name: 'no-circular',
      comment: 'No module depends on itself through others: a cycle means two modules are one, or the layers leak.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      comment: 'A module in src/ that nothing imports and that imports nothing is dead (or its caller forgot it).',
      severity: 'error',
      from: { orphan: true, path: '^src/', pathNot: '\\.d\\.ts$' },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves to a file or a package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      comment: 'Every package imported is in package.json, not only present in node_modules through another.',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|dist-bench|data|devTools|test-results|\\.deployment)/' },
    // Type-only imports count: the domain must not know the SDK's types either.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.check.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
