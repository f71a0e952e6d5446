namespace Engine.Protocol.Security;

/// <summary>What a node found when it was handed a resume ticket; anything but <see cref="Accepted"/> is refused.</summary>
public enum TicketVerdict : byte
{
    Accepted,

    /// <summary>Not a ticket: wrong size, magic or version.</summary>
    Malformed,

    /// <summary>Past its expiry on the node's clock.</summary>
    Expired,

    /// <summary>Does not open under the node's key and protocol id: forged, altered or from another fleet.</summary>
    Invalid,

    /// <summary>Issued for another node.</summary>
    WrongServer,

    /// <summary>Issued to another player than the one whose session presents it.</summary>
    WrongPlayer,

    /// <summary>Already presented once.</summary>
    Replayed,
}
