// A generated section of the README, between a start and an end marker: found and replaced in
// one place for every generator (command reference, provider table).

/** The section with its markers, or undefined when the README lacks them. */
export function sectionBetween(readme, start, end) {
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  return from === -1 || to === -1 ? undefined : readme.slice(from, to + end.length);
}
