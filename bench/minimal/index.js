// The start-up yardstick of SPEC §13: an action that imports only @actions/core and
// @actions/github and makes one request. scripts/bench.mjs bundles it with ncc, as ours is.
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';

const octokit = getOctokit(core.getInput('github-token'), {
  baseUrl: process.env.GITHUB_API_URL,
});
const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '/').split('/');
const r = await octokit.rest.repos.get({ owner, repo });
core.setOutput('name', r.data.name);
