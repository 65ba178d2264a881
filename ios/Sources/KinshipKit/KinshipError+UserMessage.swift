import Foundation
import KinshipCore

extension KinshipError {
    /// A sentence to show the person, saying what they can do.
    ///
    /// It never includes the error's `reason`: reasons are for logs and may quote what was
    /// typed (`not an RFC 3339 time: "…"`). The generated `localizedDescription` is no
    /// better: it is `String(reflecting:)` of the error, reason included.
    public var userMessage: String {
        switch self {
        case .Locked:
            return "Kinship is locked. Unlock it to continue."
        case .Erased:
            return "Everything in Kinship was erased from this device. You can start again with a new passphrase."
        case .NotInitialized:
            return "There is no Kinship profile on this device yet."
        case .AlreadyInitialized:
            return "A Kinship profile already exists on this device."
        case .WrongPassphrase:
            return "That passphrase didn't work. Please try again."
        case .WrongDeviceKey:
            return "Unlocking with Face ID or Touch ID didn't work. Please use your passphrase."
        case .WeakPassphrase:
            return "Please choose a passphrase of at least 8 characters."
        case .NotFound:
            return "This item no longer exists. It may have been deleted."
        case .InvalidInput:
            return "Something you entered couldn't be saved as it is. Please check it and try again."
        case .Offline:
            return "You're offline. Everything saved on this device still works."
        case .Corrupted:
            return "Some saved data is damaged and couldn't be opened. Restoring a backup can replace it."
        case .BadBackup:
            return "This backup can't be restored. It may be damaged, or not a Kinship backup."
        case .DirectoryUpdateRefused:
            return "The directory update couldn't be verified, so the current directory stays in use."
        case .Remote:
            return "The group's server couldn't help right now. Please try again later."
        case .Storage:
            return "Kinship couldn't save to this device. Please check that there is free space."
        }
    }
}
