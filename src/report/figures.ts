// How the report and the job summary write the metrics' figures (one way, in both places). No
// imports: the summary is in the action's main chunk, and this adds nothing to its start-up.

/** A duration as the report and the summary show it: minutes under an hour, else hours. */
export const durationText = (seconds: number | null): string =>
  seconds === null
    ? '—'
    : seconds < 3600
      ? `${Math.round(seconds / 60)} min`
      : `${(seconds / 3600).toFixed(1)} h`;

/** A rate as the report and the summary show it. */
export const percentText = (rate: number | null): string =>
  rate === null ? '—' : `${(rate * 100).toFixed(1)} %`;
