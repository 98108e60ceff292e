// The faults suite runs the built service, like the cluster suite: build once when stale.
export { default } from '../cluster/global-setup';
