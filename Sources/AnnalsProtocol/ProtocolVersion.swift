/// The version of the Annals wire protocol, sent by both sides in their `hello`.
///
/// A peer that speaks another version is answered with `ProtocolError.Code.unsupportedVersion` and disconnected.
public enum ProtocolVersion {
    /// The version this library speaks.
    public static let current: UInt16 = 2

    /// Every version this library can speak.
    public static let supported: ClosedRange<UInt16> = 2...2
}
