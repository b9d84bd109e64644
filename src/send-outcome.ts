/*
 * The outcome of sending one delivery, in the words every part uses: the sender (delivery/),
 * the log (store/), listen, the reports. A leaf module: it imports nothing of the project.
 */

/** Why no HTTP answer came back. */
export type SendErrorKind = 'refused' | 'timeout' | 'dns' | 'reset' | 'aborted' | 'tls' | 'other';
