import type zh from '../zh-CN/admission';

const admission: typeof zh = {
  tile: 'Certificates',
  tileDesc: 'Can my community issue it?',
  certTitle: 'Community certificates',
  certQuestion: 'Can my community issue this certificate?',
  certIntro:
    'Type the certificate you need: we tell you whether your community issues it and how, or who issues it instead.',
  certPlaceholder: 'e.g. proof of residence, no criminal record',
  yes: 'Yes, your community issues it',
  no: 'No, communities do not issue this certificate',
  unknown: 'No such certificate found',
  unknownHint: '“{q}” is on neither certificate list. Try other words, or ask your community.',
  how: 'How',
  insteadBy: 'Where to get it instead',
  basis: 'Basis',
  alsoLike: 'You may be looking for',
  mayIssue: 'Certificates communities issue ({n})',
  mayNotIssue: 'Certificates communities do not issue ({n})',
  note: 'Note',
  listsLink: 'The community’s three lists',
  listsLinkDesc: 'What communities do themselves, help the government with, and may never be handed',
  listsTitle: 'The three lists',
  listsIntro:
    'The three lists of community work: departments may not push anything else down to communities.',
  version: 'Version {n} · in force from {date}',
  search: 'Search the lists',
  lists: { self: 'Self-governance', assist: 'Assisting', negative: 'Negative list' },
  listDesc: {
    self: 'What the residents’ committee does itself, by law',
    assist: 'What communities help the government with; the department must fund it',
    negative: 'What no department may hand to a community',
  },
  department: 'Responsible department',
  empty: 'Nothing matches',
  loadFailed: 'Could not load; try again later',
  retry: 'Retry',
};

export default admission;
