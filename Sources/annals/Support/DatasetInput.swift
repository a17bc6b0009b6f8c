import AnnalsCore
import AnnalsImport
import AnnalsInput

/// The events of one GDELT, ICEWS or ACLED file (`annals import`): plain, gzip or a single-entry zip,
/// split into records, mapped to events, and filtered. Rows the filter leaves out are counted, not sent.
struct DatasetInput: EntryInput {
    var name: String { file.name }
    /// Rows the filter left out so far.
    private(set) var filtered = 0
    private let file: InputFile
    private var reader: DelimitedReader
    private var mapper: any RowMapper
    private let filter: ImportFilter
    private let progress: ProgressBar?
    private var counted: Int64 = 0
    private var ended = false

    /// - Throws: `CLIError` when the file cannot be opened or is a zip holding other than one file.
    init(path: String, format: ImportFormat, filter: ImportFilter, progress: ProgressBar?) throws {
        do {
            file = try InputFile.open(path)
        } catch {
            throw CLIError(.unreadableFile, error.description)
        }
        reader = DelimitedReader(dialect: format.dialect)
        mapper = format.makeMapper()
        self.filter = filter
        self.progress = progress
    }

    mutating func next() throws -> InputLine? {
        while true {
            guard let result = reader.next() else {
                if ended { return nil }
                try readMore()
                continue
            }
            let record: DelimitedRecord
            switch result {
            case .failure(let failure):
                return InputLine(number: failure.line, entry: .failure(EventError(.malformedLine, failure.message)))
            case .success(let read):
                record = read
            }
            do {
                guard let row = try mapper.map(record) else { continue }
                guard filter.matches(row) else {
                    filtered += 1
                    continue
                }
                return InputLine(number: record.line, entry: .success(.event(row.event)))
            } catch let error as EventError {
                return InputLine(number: record.line, entry: .failure(error))
            } catch {
                throw CLIError(.invalidInput, "\(name): \(error)")
            }
        }
    }

    private mutating func readMore() throws {
        let chunk: [UInt8]?
        do {
            chunk = try file.read()
        } catch {
            throw CLIError(.unreadableFile, error.description)
        }
        progress?.advance(bytes: Int(file.bytesRead - counted))
        counted = file.bytesRead
        if let chunk {
            reader.append(chunk)
        } else {
            reader.finish()
            ended = true
        }
    }
}
