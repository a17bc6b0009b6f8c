import AnnalsStore

/// What the writer must know of a stored event to decide an entry for it: its number, head and the key of
/// every revision (read at the start of a group transaction, under the row locks of its ids, then kept up to
/// date in memory as the group decides entries).
struct StoredHistory {
    /// A revision's identity for idempotency checks.
    struct RevisionKey {
        var revision: Int
        var seq: Int64
        var hash: Int64
        var retraction: Bool
    }

    var event: Int64
    var head: RevisionRules.Head
    /// Every revision, in revision order.
    var revisions: [RevisionKey]

    /// The log position of the revision `lookup` asks for (`RevisionRules`' history question).
    func seq(of lookup: RevisionRules.Lookup) -> Int64? {
        revisions.first { key in
            key.hash == lookup.hash && key.retraction == lookup.retraction && (lookup.revision == nil || key.revision == lookup.revision)
        }?.seq
    }
}
