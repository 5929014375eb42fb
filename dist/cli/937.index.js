export const id = 937;
export const ids = [937];
export const modules = {

/***/ 30937:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   downloadArtifactFiles: () => (/* binding */ downloadArtifactFiles)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
// Downloading an artifact of the verification run (SPEC §22) with @actions/artifact, loaded only
// here and only when a readiness threshold names an artifact, so start-up never pays for it. The
// client asks the API for the archive (a redirect to its signed blob URL), streams the zip and
// extracts it; the files come back by their path inside the artifact.



/** Every file of the downloaded artifact, by its path inside it. */
async function downloadArtifactFiles(opts) {
    const dir = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdtempSync)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)((0,node_os__WEBPACK_IMPORTED_MODULE_1__.tmpdir)(), 'release-governor-artifact-'));
    try {
        const { DefaultArtifactClient } = await __webpack_require__.e(/* import() */ 690).then(__webpack_require__.bind(__webpack_require__, 35690));
        await new DefaultArtifactClient().downloadArtifact(opts.artifactId, {
            path: dir,
            findBy: {
                token: opts.token,
                workflowRunId: opts.runId,
                repositoryOwner: opts.owner,
                repositoryName: opts.repo,
            },
        });
        const files = new Map();
        const walk = (d) => {
            for (const name of (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readdirSync)(d)) {
                const p = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(d, name);
                if ((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.statSync)(p).isDirectory())
                    walk(p);
                else
                    files.set((0,node_path__WEBPACK_IMPORTED_MODULE_2__.relative)(dir, p).split('\\').join('/'), (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(p));
            }
        };
        walk(dir);
        return files;
    }
    finally {
        (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync)(dir, { recursive: true, force: true });
    }
}


/***/ })

};
