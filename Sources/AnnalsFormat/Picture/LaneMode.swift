/// How a timeline picture is split into horizontal lanes.
public enum LaneMode: String, Sendable, Hashable, CaseIterable {
    /// One lane per actor: those given (`--actor`), else each event's first actor.
    case actor
    /// One lane per event kind.
    case kind
    /// A single lane.
    case none
}
