// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// A plain ERC-721 for tests: the owner mints tokens with increasing ids (from 1); every token shares a base URI.
contract ArcTestAsset is ERC721, Ownable {
    uint256 private _nextId = 1;
    string private _base;

    constructor(string memory name_, string memory symbol_, string memory baseUri) ERC721(name_, symbol_) Ownable(msg.sender) {
        _base = baseUri;
    }

    function mint(address to) external onlyOwner returns (uint256 id) {
        id = _nextId++;
        _mint(to, id);
    }

    function _baseURI() internal view override returns (string memory) {
        return _base;
    }
}
