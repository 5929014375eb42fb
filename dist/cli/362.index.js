export const id = 362;
export const ids = [362];
export const modules = {

/***/ 75362:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   nextVersion: () => (/* binding */ nextVersion),
/* harmony export */   versionTags: () => (/* binding */ versionTags)
/* harmony export */ });
/* unused harmony exports RELEASE_LABELS, commitBump, tagVersion */
/* harmony import */ var conventional_commits_parser__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(34674);
/* harmony import */ var semver__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(62088);
/* harmony import */ var semver__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(semver__WEBPACK_IMPORTED_MODULE_1__);
// Counting the next version (SPEC §18): the highest of our tags below a release, and the bump of
// its commits and pull request labels. Pure; loaded lazily (it brings semver and the commit
// parser), only when versioning is on.


const ORDER = ['patch', 'minor', 'major'];
const higher = (a, b) => a === null || ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a;
const RELEASE_LABELS = {
    'release:major': 'major',
    'release:minor': 'minor',
    'release:patch': 'patch',
};
const parser = new conventional_commits_parser__WEBPACK_IMPORTED_MODULE_0__/* .CommitParser */ .Jf({
    breakingHeaderPattern: /^(\w*)(?:\((.*)\))?!: (.*)$/,
    noteKeywords: ['BREAKING CHANGE', 'BREAKING-CHANGE'],
    // A merge commit's first line says which pull request; the conventional header is next.
    mergePattern: /^Merge pull request #(\d+) from (.*)$/,
    mergeCorrespondence: ['id', 'source'],
});
/** A commit message's bump: `feat` minor, a breaking change major, anything else patch. */
function commitBump(message) {
    const c = parser.parse(message);
    if (c.notes.some((n) => /^BREAKING[ -]CHANGE$/i.test(n.title)))
        return 'major';
    return c.type?.toLowerCase() === 'feat' ? 'minor' : 'patch';
}
/** A tag name's version when it is `<prefix>X.Y.Z` exactly (pre-releases and others are not ours). */
function tagVersion(name, prefix) {
    if (!name.startsWith(prefix))
        return null;
    const v = name.slice(prefix.length);
    return semver__WEBPACK_IMPORTED_MODULE_1___default().valid(v) === v && semver__WEBPACK_IMPORTED_MODULE_1___default().prerelease(v) === null ? v : null;
}
/** Our tags (`<prefix>X.Y.Z`), highest version first. */
function versionTags(tags, prefix) {
    return tags
        .flatMap((t) => {
        const version = tagVersion(t.name, prefix);
        return version ? [{ ...t, version }] : [];
    })
        .sort((a, b) => semver__WEBPACK_IMPORTED_MODULE_1___default().rcompare(a.version, b.version));
}
/**
 * The next version after `previous`: the highest bump of the range's pull request labels if any
 * has one (an explicit choice wins), else of its commits. Before 1.0.0 a breaking change in a
 * commit bumps the minor (SemVer §4: 0.y.z may change anything); the label release:major is how
 * a team says 1.0.0.
 */
function nextVersion(input) {
    const pulls = input.pulls.map((p) => ({ number: p.number, title: p.title, author: p.author }));
    if (!input.previous) {
        return {
            tag: `${input.prefix}${input.initial}`,
            version: input.initial,
            previous: null,
            bump: null,
            why: `the first release: initial_version ${input.initial} (no ${input.prefix}X.Y.Z tag is below this commit)`,
            existing: false,
            pulls,
        };
    }
    let byLabel = null;
    const labelled = [];
    for (const p of input.pulls)
        for (const l of p.labels) {
            const b = RELEASE_LABELS[l.toLowerCase()];
            if (b) {
                byLabel = higher(byLabel, b);
                labelled.push(`${l} on #${p.number}`);
            }
        }
    let bump;
    let why;
    if (byLabel) {
        bump = byLabel;
        why = `${bump} by label (${labelled.join(', ')})`;
    }
    else {
        let byCommit = 'patch';
        for (const m of input.messages)
            byCommit = higher(byCommit, commitBump(m));
        bump = byCommit;
        why = `${bump} from ${input.messages.length} commit${input.messages.length === 1 ? '' : 's'} (${bump === 'major'
            ? 'a breaking change'
            : bump === 'minor'
                ? 'a feat: commit'
                : 'no feat: or breaking commit'})`;
        if (bump === 'major' && semver__WEBPACK_IMPORTED_MODULE_1___default().major(input.previous.version) === 0) {
            bump = 'minor';
            why += `, minor before 1.0.0`;
        }
    }
    const version = semver__WEBPACK_IMPORTED_MODULE_1___default().inc(input.previous.version, bump);
    return {
        tag: `${input.prefix}${version}`,
        version,
        previous: input.previous.name,
        bump,
        why: `${why}, after ${input.previous.name}`,
        existing: false,
        pulls,
    };
}


/***/ })

};
