namespace Lookout.Core.Datasets;

/// <summary>What a catalog row is: a photo, a frame taken from a video, the video itself, or something else.</summary>
public enum ItemKind { Image, Frame, Video, Other }

public enum ItemStatus { Ok, Unreadable, Missing }

/// <summary>Where an item's split came from: its folder (train/val/test), the splitter, or a person.</summary>
public enum SplitOrigin { None, Folder, Auto, Manual }
