/// Why an input file cannot be read, in the user's terms ("cannot read x.zip: it holds 3 files; …").
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
