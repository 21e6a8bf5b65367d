/**
 * Who may do what with the console.
 * admin: everything; staff: use the console and act on alerts; viewer: a member of the
 * staff group who is not on a list: may read (status, history, alerts) but not act.
 */
export type Role = "admin" | "staff" | "viewer";
