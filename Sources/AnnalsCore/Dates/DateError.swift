/// Why a date string was rejected.
public struct DateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text that was rejected, as given.
    public var input: String
    /// What is wrong with it, in words (for example "month 13 does not exist").
    public var message: String

    /// An error for `input`, explained by `message`.
    public init(input: String, message: String) {
        self.input = input
        self.message = message
    }

    /// `invalid date '<input>': <message>`.
    public var description: String { "invalid date '\(input)': \(message)" }
}
